import { fileForm } from '../../ui/http.ts';
import { api } from './api.ts';

export interface UploadedFile {
  url: string;
  mimeType: string;
  size: number;
}

export function uploadImage(file: Blob): Promise<UploadedFile> {
  return api<UploadedFile>('/api/uploads', { method: 'POST', body: fileForm(file) });
}
